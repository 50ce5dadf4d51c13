"""Mail clients for the mail stack's acceptance test (components/mail/mailStack.real.test.ts).

Python's own smtplib/imaplib/ssl and Debian's python3-dkim: real clients and a real DKIM verifier,
none of them this project's code. Each command prints one JSON object.

  imap PORT starttls|tls|plain CAFILE HOSTNAME USER PASSWORD
  smtp PORT none|starttls|tls CAFILE HOSTNAME FROM RCPT[,RCPT…] [USER PASSWORD]   (message on stdin)
  dkim-verify TXT_CONTENT                                                       (message on stdin)

MAIL_CLIENT_SOURCE=ADDRESS connects from another address than 192.0.2.20. TXT_CONTENT is the DKIM
record's content as Cloudflare takes it (quoted character-strings); the verifier gets it the way a
resolver hands a TXT record over, the strings joined.
"""
import imaplib
import json
import os
import shlex
import smtplib
import socket
import ssl
import sys

# The clients connect from this address, not the server's own nor loopback: Postfix trusts
# 127.0.0.0/8 (mynetworks) and Dovecot counts a connection from its own address as secured.
SOURCE = (os.environ.get("MAIL_CLIENT_SOURCE", "192.0.2.20"), 0)


class IMAP4(imaplib.IMAP4):
    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=SOURCE)


class IMAP4_SSL(imaplib.IMAP4_SSL):
    def _create_socket(self, timeout):
        sock = socket.create_connection((self.host, self.port), timeout, source_address=SOURCE)
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


def context(cafile, hostname):
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = True
    return ctx


def imap(port, mode, cafile, hostname, user, password):
    port = int(port)
    result = {"mode": mode}
    try:
        if mode == "tls":
            client = IMAP4_SSL(hostname, port, ssl_context=context(cafile, hostname), timeout=30)
        else:
            client = IMAP4(hostname, port, timeout=30)
            result["capabilitiesBeforeTls"] = list(client.capabilities)
            if mode == "starttls":
                client.starttls(ssl_context=context(cafile, hostname))
        typ, data = client.login(user, password)
        result["ok"] = typ == "OK"
        typ, data = client.select("INBOX")
        result["selected"] = typ == "OK"
        client.logout()
    except Exception as error:  # noqa: BLE001 - the test reads the refusal
        result["ok"] = False
        result["error"] = f"{type(error).__name__}: {error}"
    print(json.dumps(result))


def smtp(port, mode, cafile, hostname, sender, recipients, user=None, password=None):
    port = int(port)
    message = sys.stdin.buffer.read()
    result = {"stage": "connect"}
    try:
        if mode == "tls":
            client = smtplib.SMTP_SSL(hostname, port, local_hostname="client.example.net", context=context(cafile, hostname), timeout=30, source_address=SOURCE)
        else:
            client = smtplib.SMTP(hostname, port, local_hostname="client.example.net", timeout=30, source_address=SOURCE)
        client.ehlo()
        if mode == "starttls":
            result["stage"] = "starttls"
            client.starttls(context=context(cafile, hostname))
            client.ehlo()
        if user is not None:
            result["stage"] = "auth"
            client.login(user, password)
        result["stage"] = "mail"
        code, reply = client.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        result["stage"] = "rcpt"
        for recipient in recipients.split(","):
            code, reply = client.rcpt(recipient)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        result["stage"] = "data"
        code, reply = client.data(message)
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        result.update(ok=True, code=code, reply=reply.decode(errors="replace"))
        client.quit()
    except smtplib.SMTPRecipientsRefused as error:
        (code, reply), = error.recipients.values()
        result.update(ok=False, code=code, reply=reply.decode(errors="replace"))
    except smtplib.SMTPResponseException as error:
        result.update(ok=False, code=error.smtp_code, reply=error.smtp_error.decode(errors="replace"))
    except Exception as error:  # noqa: BLE001
        result.update(ok=False, error=f"{type(error).__name__}: {error}")
    print(json.dumps(result))


def dkim_verify(content):
    import dkim

    # RFC 1035 character-strings in double quotes, backslash escapes: shell quoting reads them alike.
    strings = shlex.split(content)
    if any(len(s.encode()) > 255 for s in strings):
        print(json.dumps({"ok": False, "error": "a TXT character-string is longer than 255 bytes"}))
        return
    txt = "".join(strings)
    message = sys.stdin.buffer.read()
    asked = []

    def dns(name, timeout=5):
        asked.append(name.decode() if isinstance(name, bytes) else name)
        return txt.encode()

    verifier = dkim.DKIM(message)
    try:
        ok, error = bool(verifier.verify(dnsfunc=dns)), None
    except dkim.DKIMException as failure:
        ok, error = False, f"{type(failure).__name__}: {failure}"
    print(json.dumps({"ok": ok, "error": error, "asked": asked, "domain": (verifier.domain or b"").decode(), "selector": (verifier.selector or b"").decode()}))


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"imap": imap, "smtp": smtp, "dkim-verify": dkim_verify}[command](*arguments)
