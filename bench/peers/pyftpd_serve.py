"""pyftpdlib launcher for bench/run.sh: the single-process reference peer.

Usage: python3 pyftpd_serve.py PORT ROOT USER PASSWORD_FILE PASV_MIN PASV_MAX [CERT KEY]

Listens on 127.0.0.1:PORT with one virtual user confined to ROOT (read,
list, write), os.sendfile for downloads (pyftpdlib's default when
available), no connection limits, no reverse DNS (pyftpdlib never does
any) and logging at WARNING, so that, like every other server in the
benchmark, it logs nothing per session or per transfer.

With CERT and KEY it serves explicit FTPS instead (TLS_FTPHandler, which
needs pyOpenSSL), with TLS required for logins and data connections, as
the other servers in the FTPS workloads. pyftpdlib cannot require session
reuse on data connections.
"""
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def tls_handler(cert, key):
    from pyftpdlib.handlers import TLS_FTPHandler
    handler = TLS_FTPHandler
    handler.certfile = cert
    handler.keyfile = key
    handler.tls_control_required = True
    handler.tls_data_required = True
    return handler


def main():
    port, root, user, pwfile, pmin, pmax = sys.argv[1:7]
    with open(pwfile) as f:
        password = f.read().strip()
    logging.basicConfig(level=logging.WARNING)
    authorizer = DummyAuthorizer()
    authorizer.add_user(user, password, root, perm="elradfmwMT")
    handler = tls_handler(*sys.argv[7:9]) if len(sys.argv) > 8 else FTPHandler
    handler.authorizer = authorizer
    handler.passive_ports = range(int(pmin), int(pmax) + 1)
    handler.use_sendfile = True
    handler.banner = "pyftpdlib ready."
    server = FTPServer(("127.0.0.1", int(port)), handler)
    server.max_cons = 0         # no limit on connections
    server.max_cons_per_ip = 0  # nor per address
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    main()
