"""TermLens desktop application: the LLM engine, the model-thread workers and the Qt UI."""
