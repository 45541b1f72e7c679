#!/usr/bin/env python3
"""Python ftplib FTPS client for the Wharf FTPS matrix.

Usage: ftps_client.py PLAN.json

The plan says where to connect, how (explicit or implicit FTPS, TLS
version, data-connection mode, stock FTP_TLS or the session-reusing
subclass) and which transfers to make, all in one session. Exit status 0
means every transfer completed; anything else prints the error.
"""

import ftplib
import json
import socket
import ssl
import sys


class ReuseFTP_TLS(ftplib.FTP_TLS):
    """FTP_TLS that resumes the control connection's TLS session on data
    connections, as servers requiring session reuse (vsftpd's
    require_ssl_reuse=YES, Wharf's default) need. Stock FTP_TLS starts a
    fresh TLS session on every data connection."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host,
                                            session=self.sock.session)
        return conn, size


class Modes:
    """Mixin choosing the data-connection command. ftplib sends PASV and
    PORT over IPv4 and EPSV and EPRT over IPv6 only; these overrides use
    ftplib's own EPSV/EPRT code over IPv4 too."""

    mode = "PASV"

    def makepasv(self):
        if self.mode == "EPSV":
            return ftplib.parse229(self.sendcmd("EPSV"), self.sock.getpeername())
        return super().makepasv()

    def makeport(self):
        # As FTP.makeport, but listening on the control connection's local
        # address only, and sending EPRT over IPv4 when asked.
        host = self.sock.getsockname()[0]
        sock = socket.create_server((host, 0), family=self.af, backlog=1)
        port = sock.getsockname()[1]
        if self.mode == "EPRT":
            self.sendeprt(host, port)
        else:
            self.sendport(host, port)
        if self.timeout is not ftplib._GLOBAL_DEFAULT_TIMEOUT:
            sock.settimeout(self.timeout)
        return sock


class Implicit:
    """Mixin for implicit FTPS: TLS from the first byte, no AUTH."""

    def connect(self, host="", port=0, timeout=-999, source_address=None):
        if host:
            self.host = host
        if port > 0:
            self.port = port
        if timeout != -999:
            self.timeout = timeout
        self.sock = socket.create_connection((self.host, self.port), self.timeout)
        self.af = self.sock.family
        self.sock = self.context.wrap_socket(self.sock, server_hostname=self.host)
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome


def client_class(plan):
    bases = [Modes]
    if plan["implicit"]:
        bases.append(Implicit)
    bases.append(ReuseFTP_TLS if plan["reuse"] else ftplib.FTP_TLS)
    return type("Client", tuple(bases), {"mode": plan["mode"]})


def main():
    with open(sys.argv[1]) as f:
        plan = json.load(f)
    ctx = ssl.create_default_context(cafile=plan["cafile"])
    version = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[plan["tls"]]
    ctx.minimum_version = ctx.maximum_version = version
    ftp = client_class(plan)(context=ctx, timeout=60)
    ftp.connect(plan["host"], plan["port"])
    ftp.login(plan["user"], plan["password"])  # AUTH TLS first when explicit
    ftp.prot_p()
    ftp.set_pasv(plan["mode"] in ("PASV", "EPSV"))
    for op in plan["ops"]:
        if op["put"]:
            with open(op["local"], "rb") as f:
                ftp.storbinary("STOR " + op["remote"], f)
        else:
            with open(op["local"], "wb") as f:
                ftp.retrbinary("RETR " + op["remote"], f.write)
    ftp.quit()


if __name__ == "__main__":
    main()
