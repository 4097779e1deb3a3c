# Answers one GET to MapProxy's WSGI application without a server:
#   python3 mapproxy_get.py CONFIG PATH [QUERY]
# writes the body to stdout (the status to stderr). The gateway's tests use
# it to regenerate the WMTS fixtures as http://127.0.0.1:8082 serves them.
import io
import sys

from mapproxy.wsgiapp import make_wsgi_app

app = make_wsgi_app(sys.argv[1])
environ = {
    "REQUEST_METHOD": "GET",
    "PATH_INFO": sys.argv[2],
    "QUERY_STRING": sys.argv[3] if len(sys.argv) > 3 else "",
    "SERVER_NAME": "127.0.0.1",
    "SERVER_PORT": "8082",
    "HTTP_HOST": "127.0.0.1:8082",
    "SCRIPT_NAME": "",
    "wsgi.url_scheme": "http",
    "wsgi.input": io.BytesIO(),
    "wsgi.errors": sys.stderr,
}
body = app(environ, lambda status, headers, exc_info=None: print(status, file=sys.stderr))
sys.stdout.buffer.write(b"".join(body))
