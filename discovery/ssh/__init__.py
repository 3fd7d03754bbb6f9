"""SSH discovery: network devices through netmiko + ntc-templates, Linux hosts through OpenSSH.

Collectors (``netcli``, ``linux``) do I/O only; parsers (``network``, ``linux_parse``,
``config``, ``dependencies``) are pure functions from real command output to the typed
observations of ``discovery.observations``, with ``source=Source.SSH``.
Entry point: ``discovery.ssh.collect.collect_ssh_many``.
"""
