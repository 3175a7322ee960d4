from medaid_shared.migrations import run_env
from settlement.adapters.tables import metadata

run_env(metadata)
