from medaid_shared.migrations import run_env
from identity_check.adapters.tables import metadata

run_env(metadata)
