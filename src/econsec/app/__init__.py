"""The application layer: one plain function per use case, for the CLI, the API and the web
pages alike.

Each function takes typed inputs and the caller (:class:`~econsec.app.platform.Caller`),
authorises through the one policy function (:meth:`~econsec.app.platform.Platform.authorise`,
which also audits), and returns frozen dataclasses; it raises only the errors of
:mod:`econsec.errors`. Modules by area: :mod:`~econsec.app.accounts`,
:mod:`~econsec.app.submissions`, :mod:`~econsec.app.sharing`, :mod:`~econsec.app.intelligence`,
:mod:`~econsec.app.surveys`, :mod:`~econsec.app.audit` (the platform) and
:mod:`~econsec.app.screening`, :mod:`~econsec.app.scenarios`, :mod:`~econsec.app.watch`,
:mod:`~econsec.app.demo`, :mod:`~econsec.app.seed` (the analyses and the demo).
"""

__all__: list[str] = []
