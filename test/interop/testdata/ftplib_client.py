#!/usr/bin/env python3
"""One FTP operation with Python's ftplib, in a chosen data-connection mode.

usage: ftplib_client.py HOST PORT USER MODE OP ARGS...   (password on stdin)

MODE is PASV, EPSV, PORT or EPRT. ftplib itself uses PASV/PORT over IPv4
and EPSV/EPRT over IPv6; the subclass below sends EPSV and EPRT over IPv4
too (with ftplib's own sendeprt/parse229), and binds its active-mode
listener to the control connection's local address, not to all addresses.

OPs:
  put LOCAL REMOTE            STOR (binary)
  get REMOTE LOCAL            RETR (binary)
  list DIR OUT                MLSD and NLST names, as JSON, to OUT
  rename FROM TO | delete NAME | mkdir NAME | rmdir NAME
  rest-retr REMOTE LOCAL      REST len(LOCAL) + RETR, appended to LOCAL
  rest-stor LOCAL REMOTE      SIZE REMOTE, REST n + STOR of LOCAL from n
  appe LOCAL REMOTE           SIZE REMOTE, APPE of LOCAL from n
  ascii-get REMOTE LOCAL      TYPE A + RETR; LOCAL gets the bytes as received
  ascii-put LOCAL REMOTE      storlines (TYPE A, CRLF line ends)

The protocol transcript (ftplib debug level 1) goes to stdout.
"""
import ftplib
import json
import socket
import sys


class Client(ftplib.FTP):
    mode = "PASV"

    def makepasv(self):
        if self.mode == "EPSV" or self.af == socket.AF_INET6:
            return ftplib.parse229(self.sendcmd("EPSV"), self.sock.getpeername())
        return super().makepasv()

    def makeport(self):
        host = self.sock.getsockname()[0]
        sock = socket.create_server((host, 0), family=self.af, backlog=1)
        port = sock.getsockname()[1]
        if self.mode == "EPRT" or self.af == socket.AF_INET6:
            self.sendeprt(host, port)
        else:
            self.sendport(host, port)
        sock.settimeout(self.timeout)
        return sock


def main(argv):
    host, port, user, mode, op = argv[1], int(argv[2]), argv[3], argv[4], argv[5]
    args = argv[6:]
    password = sys.stdin.readline().rstrip("\n")
    ftp = Client(timeout=120)
    ftp.mode = mode
    ftp.set_debuglevel(1)
    ftp.connect(host, port)
    ftp.login(user, password)
    ftp.set_pasv(mode in ("PASV", "EPSV"))
    block = 1 << 20
    if op == "put":
        with open(args[0], "rb") as f:
            ftp.storbinary("STOR " + args[1], f, blocksize=block)
    elif op == "get":
        with open(args[1], "wb") as f:
            ftp.retrbinary("RETR " + args[0], f.write, blocksize=block)
    elif op == "list":
        ftp.sendcmd("TYPE A")
        mlsd = [name for name, facts in ftp.mlsd(args[0])]
        nlst = ftp.nlst(args[0])
        with open(args[1], "w", encoding="utf-8") as f:
            json.dump({"mlsd": mlsd, "nlst": nlst}, f)
    elif op == "rename":
        ftp.rename(args[0], args[1])
    elif op == "delete":
        ftp.delete(args[0])
    elif op == "mkdir":
        ftp.mkd(args[0])
    elif op == "rmdir":
        ftp.rmd(args[0])
    elif op == "rest-retr":
        with open(args[1], "ab") as f:
            ftp.retrbinary("RETR " + args[0], f.write, blocksize=block, rest=f.tell())
    elif op in ("rest-stor", "appe"):
        ftp.voidcmd("TYPE I")
        size = ftp.size(args[1])
        with open(args[0], "rb") as f:
            f.seek(size)
            if op == "rest-stor":
                ftp.storbinary("STOR " + args[1], f, blocksize=block, rest=size)
            else:
                ftp.storbinary("APPE " + args[1], f, blocksize=block)
    elif op == "ascii-get":
        ftp.voidcmd("TYPE A")
        with open(args[1], "wb") as f, ftp.transfercmd("RETR " + args[0]) as conn:
            while True:
                data = conn.recv(block)
                if not data:
                    break
                f.write(data)
        ftp.voidresp()
    elif op == "ascii-put":
        with open(args[0], "rb") as f:
            ftp.storlines("STOR " + args[1], f)
    else:
        raise SystemExit("unknown op " + op)
    ftp.quit()


if __name__ == "__main__":
    main(sys.argv)
