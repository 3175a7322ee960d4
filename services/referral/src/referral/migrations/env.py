from medaid_shared.migrations import run_env
from referral.adapters.tables import metadata

run_env(metadata)
