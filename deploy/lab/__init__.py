"""The simulated lab network: SNMP agents (snmpsim, net-snmp snmpd), SSH hosts and a network-CLI
simulator, all bound to 127.0.0.0/8 and stopped by PID."""
