"""The console's pages, one router per area: operations, sign-in, work queues, and the
decisions and printable pages of each service's domain."""
