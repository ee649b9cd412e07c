"""The other products' APIs, spoken here: each dialect parses its own requests, calls the
domain services and selectors, and renders their results and refusals in its own shapes."""
