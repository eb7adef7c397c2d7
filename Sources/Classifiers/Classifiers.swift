// The Classifiers module: the Classifier protocol, logistic regression, the MLP, losses, optimizers and metrics (issue: text classification).
// Its types arrive with the issue that builds them; until then the module is intentionally empty.
