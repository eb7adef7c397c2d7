// The TransferLearning module: the transfer strategies and the models that apply them to text and images.
// Its types arrive with the issue that builds them; until then the module is intentionally empty.
