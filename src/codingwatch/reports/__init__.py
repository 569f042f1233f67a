"""Reports: the one place for figure formatting, HTML/PDF rendering and chart specifications.

- `format`: money, counts and rates as people read them (`money`, `count`, `percent`).
- `render`: a page as self-contained HTML or as PDF (WeasyPrint is called only from here).
- `charts`: Vega-Lite chart specifications and their SVG rendering.

Nothing here imports `web` or `commands`; the Django template filters live in the web app
`codingwatch.web.reports` (`{% load figures %}`).
"""
