// Placeholder: the configuration loader.
