from accord.sales.tests.fixtures import *  # noqa: F403
