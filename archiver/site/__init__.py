"""The mirror's pages as the core owns them: templates, static files, URL builders and the Jinja
environment, rendered by both the web mirror (``web``) and the static HTML export."""
