pytest_plugins = ["medaid_shared.testing"]
