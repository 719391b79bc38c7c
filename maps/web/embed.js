// embed.js: filled in by issue 14 (see maps/web/assets.py RUNTIME_SCRIPTS).
