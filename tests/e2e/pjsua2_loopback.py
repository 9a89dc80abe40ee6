"""Shared by the pjsua2 scripts: start a pjsua2 endpoint on loopback."""

import pjsua2 as pj


def start_on_loopback(ep, config, sip_port):
    """Initialises `ep` with `config`, opens SIP over UDP on 127.0.0.1:`sip_port` and
    starts it with the null audio device (no sound card needed)."""
    ep.libInit(config)
    transport = pj.TransportConfig()
    transport.port = sip_port
    transport.boundAddress = "127.0.0.1"
    transport.publicAddress = "127.0.0.1"
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    ep.libStart()
    ep.audDevManager().setNullDev()
