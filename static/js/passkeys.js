// Once a passkey is added (django-otp-webauthn's script says so with an event), show the page again with it listed.
document.addEventListener("otp_webauthn.register_complete", () => window.location.reload());
