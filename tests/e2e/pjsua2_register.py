#!/usr/bin/env python3
"""An agent's phone registering with pjsua2 (PyPI `pjsua2-python`), for
tests/e2e_pjsua2.rs: registers `--user` at `--registrar` with digest credentials, waits
for the answer, then unregisters and waits for that answer too.

Prints one JSON object on the last line of stdout: registered (the status code of the
registration), expires (seconds granted), unregistered (the status code of the
unregistration), error (a message, or null).
"""

import argparse
import json
import time

import pjsua2 as pj
from pjsua2_loopback import start_on_loopback


class Account(pj.Account):
    def __init__(self):
        super().__init__()
        self.answers = []

    def onRegState(self, prm):
        self.answers.append((prm.code, prm.expiration))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrar", required=True, help="sip:HOST:PORT")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--realm", required=True)
    parser.add_argument("--sip-port", type=int, required=True)
    args = parser.parse_args()

    ep = pj.Endpoint()
    ep.libCreate()
    config = pj.EpConfig()
    config.logConfig.level = 4
    config.uaConfig.threadCnt = 0
    config.uaConfig.mainThreadOnly = True
    start_on_loopback(ep, config, args.sip_port)

    host = args.registrar.removeprefix("sip:")
    account_config = pj.AccountConfig()
    account_config.idUri = f"sip:{args.user}@{host}"
    account_config.regConfig.registrarUri = args.registrar
    account_config.regConfig.timeoutSec = 600
    account_config.sipConfig.authCreds.append(
        pj.AuthCredInfo("digest", args.realm, args.user, 0, args.password)
    )
    account = Account()
    report = {"registered": None, "expires": None, "unregistered": None, "error": None}

    def wait_answer(count, seconds=10):
        deadline = time.time() + seconds
        while len(account.answers) < count and time.time() < deadline:
            ep.libHandleEvents(10)
        return account.answers[count - 1] if len(account.answers) >= count else None

    try:
        account.create(account_config)
        answer = wait_answer(1)
        if answer:
            report["registered"], report["expires"] = answer
        if report["registered"] == 200:
            account.setRegistration(False)
            answer = wait_answer(2)
            if answer:
                report["unregistered"] = answer[0]
    except pj.Error as error:
        report["error"] = error.info()
    account.shutdown()
    ep.libDestroy()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
