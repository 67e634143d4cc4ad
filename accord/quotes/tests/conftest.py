from accord.quotes.tests.fixtures import world

__all__ = ["world"]
