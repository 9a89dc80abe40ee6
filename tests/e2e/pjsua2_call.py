#!/usr/bin/env python3
"""One scripted call with pjsua2 (PyPI `pjsua2-python`), for tests/e2e_pjsua2.rs.

Null audio device, G.711 only (PCMU, PCMA), everything on 127.0.0.1, conference bridge at
8 kHz so the recording holds the decoded G.711 samples unchanged. Steps, in order:

  wait:SECONDS       let the call run
  dtmf:KEYS          send keys by RFC 4733 telephone-event
  info:KEYS          send keys by SIP INFO (application/dtmf-relay)
  hangup             send BYE (unless the server has ended the call already)
  await_bye:SECONDS  expect the server to end the call within SECONDS

Prints one JSON object on the last line of stdout: answered (bool), status (last SIP
status), remote_hangup (bool), rx_packets / tx_packets (RTP, from the stream stats),
codec, refer_to (the target of a REFER received, declined), events (call states seen).
"""

import argparse
import json
import sys
import time

import pjsua2 as pj
from pjsua2_loopback import start_on_loopback


class Call(pj.Call):
    def __init__(self, account, recorder):
        super().__init__(account)
        self.recorder = recorder
        self.states = []
        self.confirmed = False
        self.disconnected = False
        self.last_status = 0
        self.refer_to = None
        self.hung_up_here = False
        self.stats = None

    def onCallState(self, prm):
        info = self.getInfo()
        self.states.append(info.stateText)
        self.last_status = info.lastStatusCode
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.confirmed = True
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.disconnected = True

    def onCallMediaState(self, prm):
        info = self.getInfo()
        for index, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self.getAudioMedia(index).startTransmit(self.recorder)

    def onCallTransferRequest(self, prm):
        self.refer_to = prm.dstUri
        prm.statusCode = 603  # declined: the test has no agent to hand on to

    def capture_stats(self):
        try:
            stat = self.getStreamStat(0)
            info = self.getStreamInfo(0)
            self.stats = {
                "rx_packets": stat.rtcp.rxStat.pkt,
                "tx_packets": stat.rtcp.txStat.pkt,
                "codec": info.codecName,
            }
        except pj.Error:
            pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--uri", required=True)
    parser.add_argument("--sip-port", type=int, required=True)
    parser.add_argument("--rtp-port", type=int, required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("steps", nargs="*")
    args = parser.parse_args()

    ep = pj.Endpoint()
    ep.libCreate()
    config = pj.EpConfig()
    config.uaConfig.threadCnt = 0
    config.uaConfig.mainThreadOnly = True
    config.logConfig.level = 3
    config.logConfig.consoleLevel = 3
    config.medConfig.clockRate = 8000
    config.medConfig.sndClockRate = 8000
    config.medConfig.noVad = True
    config.medConfig.ecTailLen = 0
    start_on_loopback(ep, config, args.sip_port)
    for codec in ep.codecEnum2():
        wanted = codec.codecId.startswith(("PCMU/", "PCMA/"))
        ep.codecSetPriority(codec.codecId, 255 if codec.codecId.startswith("PCMU/") else 254 if wanted else 0)

    account_config = pj.AccountConfig()
    account_config.idUri = "sip:e2e@127.0.0.1:%d" % args.sip_port
    account_config.mediaConfig.transportConfig.port = args.rtp_port
    account_config.mediaConfig.transportConfig.portRange = 1
    account_config.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    account_config.mediaConfig.transportConfig.publicAddress = "127.0.0.1"
    account = pj.Account()
    account.create(account_config)

    recorder = pj.AudioMediaRecorder()
    recorder.createRecorder(args.record)
    call = Call(account, recorder)
    call.makeCall(args.uri, pj.CallOpParam(True))

    def run_for(seconds, until=lambda: False):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not until():
            ep.libHandleEvents(10)
        return until()

    result = {"answered": False, "remote_hangup": False, "error": None}
    try:
        if not run_for(args.timeout, lambda: call.confirmed or call.disconnected) or not call.confirmed:
            raise RuntimeError("the call was not answered (states %s)" % call.states)
        result["answered"] = True
        for step in args.steps:
            name, _, value = step.partition(":")
            if name == "wait":
                run_for(float(value), lambda: call.disconnected)
            elif name in ("dtmf", "info"):
                if call.disconnected:
                    raise RuntimeError("the call ended before step %s" % step)
                param = pj.CallSendDtmfParam()
                param.digits = value
                param.method = pj.PJSUA_DTMF_METHOD_RFC2833 if name == "dtmf" else pj.PJSUA_DTMF_METHOD_SIP_INFO
                call.sendDtmf(param)
                run_for(0.3 * len(value))
            elif name == "hangup":
                if call.disconnected:
                    break  # the server ended the call first (remote_hangup says so)
                call.capture_stats()
                call.hung_up_here = True
                call.hangup(pj.CallOpParam(True))
                if not run_for(5, lambda: call.disconnected):
                    raise RuntimeError("no answer to our BYE")
            elif name == "await_bye":
                if not run_for(float(value), lambda: call.disconnected):
                    raise RuntimeError("the server did not end the call within %ss" % value)
            else:
                raise RuntimeError("unknown step %s" % step)
            if call.disconnected and not call.hung_up_here:
                result["remote_hangup"] = True
    except RuntimeError as error:
        result["error"] = str(error)
    except pj.Error as error:
        result["error"] = "%s: %s" % (error.title, error.reason)
    if not call.disconnected:
        call.capture_stats()
        try:
            call.hangup(pj.CallOpParam(True))
        except pj.Error:
            pass
        run_for(3, lambda: call.disconnected)
    result.update(call.stats or {})
    result["status"] = call.last_status
    result["refer_to"] = call.refer_to
    result["events"] = call.states
    # The recorder writes its WAV header when destroyed.
    del recorder
    call = None
    ep.libDestroy()
    print(json.dumps(result), flush=True)
    return 0 if result["error"] is None else 1


if __name__ == "__main__":
    sys.exit(main())
