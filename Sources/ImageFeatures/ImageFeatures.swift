// The ImageFeatures module: image decoding and ConvNet layers for the image transfer path.
// Its types arrive with the issue that builds them; until then the module is intentionally empty.
