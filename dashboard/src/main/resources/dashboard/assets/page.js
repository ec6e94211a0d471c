// What every page's script shares, loaded before it: the way back to the sign-in page once the session has ended,
// JSON requests with the session cookie, a problem's detail, and messages and numbers as the pages show them.
const DashboardPage = (function () {
  'use strict';

  const byId = (id) => document.getElementById(id);

  const number = (n) => (n === undefined || n === null ? '0' : Number(n).toLocaleString('en-US'));

  // Back to this very page (with its query) once signed in again.
  function signInAgain() {
    window.location.href = '/signin?next=' + encodeURIComponent(window.location.pathname + window.location.search);
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (response.status === 401) {
      signInAgain();
      throw new Error('the session has ended');
    }
    const body = await response.json();
    if (!response.ok) {
      throw new Error(body.detail || url + ' answered ' + response.status);
    }
    return body;
  }

  // The problem+json detail of a refused request, with the parameter it names, or its status when it has none.
  async function problemOf(response) {
    try {
      const problem = await response.json();
      return (problem.detail || 'HTTP ' + response.status) + (problem.parameter ? ' (' + problem.parameter + ')' : '');
    } catch (e) {
      return 'HTTP ' + response.status;
    }
  }

  // Shows a message in an element that stays hidden while there is none.
  function showMessage(element, message) {
    element.textContent = message || '';
    element.hidden = !message;
  }

  return { byId, number, signInAgain, getJson, problemOf, showMessage };
})();
