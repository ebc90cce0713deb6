"""Test-support helpers shared by the creditbank test suite.

* :mod:`tests.support.postgres` -- throw-away PostgreSQL clusters reachable
  only over a Unix socket.
* :mod:`tests.support.browser` -- headless Debian Chromium driven by
  Playwright, plus :class:`~tests.support.browser.LiveServer` to serve an
  ASGI app on loopback.

The submodules are deliberately not imported here, so that using one does not
require the dependencies of the other.
"""
