"""工作台: the web console of the officials who decide. It holds no data of its own: every page
is read from, and every decision sent to, the five services' ``/v1`` APIs with the signed-in
user's token."""
