// Carries the page the visitor wanted through the sign-in; the server accepts only a path of the dashboard.
(function () {
  const next = new URLSearchParams(window.location.search).get('next');
  if (next) {
    document.getElementById('next').value = next;
  }
})();
