"""Built-in Jinja templates of schemagen (data package; users override them by file name)."""
