LAST = "test_the_application_logs_hold_no_personal_data"


def pytest_collection_modifyitems(session, config, items):
    """The log scan must see every line the whole run wrote, so it runs last."""
    last = [item for item in items if item.name == LAST]
    items[:] = [item for item in items if item.name != LAST] + last
