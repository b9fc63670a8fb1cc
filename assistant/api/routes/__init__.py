"""HTTP routes: thin translations between HTTP and the core services."""
