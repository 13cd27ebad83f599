class PolicyError(ValueError):
    """A policy pack that cannot be loaded: names the file, the key and the problem."""

    def __init__(self, file, key, problem):
        self.file = str(file)
        self.key = key
        self.problem = problem
        super().__init__(f"{self.file}: {key}: {problem}")
