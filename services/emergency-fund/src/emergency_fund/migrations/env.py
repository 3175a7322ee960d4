from medaid_shared.migrations import run_env
from emergency_fund.adapters.tables import metadata

run_env(metadata)
