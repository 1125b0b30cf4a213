/*
 * After django-otp-webauthn's script has registered a passkey, go back to the list of
 * passkeys (the element with data-passkey-done names where). Verification already
 * redirects by itself. No inline code: works under script-src 'self'.
 */
document.addEventListener('otp_webauthn.register_complete', function () {
  var done = document.querySelector('[data-passkey-done]');
  if (done) {
    window.location.assign(done.getAttribute('data-passkey-done'));
  }
});
