"""Command modules. Each declares its group and decorated handlers; the app collects them."""
