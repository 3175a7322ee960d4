from medaid_shared.migrations import run_env
from consent.adapters.tables import metadata

run_env(metadata)
