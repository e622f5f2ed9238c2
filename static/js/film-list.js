// The film list without page reloads. The page works without this script: the filter form
// submits by GET and facets, chips and page links are plain links. With it, the same URLs are
// fetched, the changed parts of the page swapped in, and the address bar updated.
(() => {
  "use strict";
  const FORM_ID = "film-filters";
  // Parts that depend on the results, and the controls that hold the filters' values.
  const RESULT_PARTS = ["film-results", "film-facets"];
  const CONTROL_PARTS = ["film-filters", "film-sort"];
  let latest = 0;

  function filterUrl(form) {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (value !== "") params.append(name, value);
    }
    const query = params.toString();
    return form.action.split("?")[0] + (query ? "?" + query : "");
  }

  async function show(url, { push, replaceControls }) {
    const request = ++latest;
    const results = document.getElementById("film-results");
    results.classList.add("is-loading");
    results.setAttribute("aria-busy", "true");
    let html;
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" } });
      if (!response.ok || response.redirected) throw new Error(String(response.status));
      html = await response.text();
    } catch {
      window.location.assign(url);  // let the browser show whatever the server says
      return;
    }
    if (request !== latest) return;  // a newer change is on its way
    const fresh = new DOMParser().parseFromString(html, "text/html");
    const parts = replaceControls ? [...RESULT_PARTS, ...CONTROL_PARTS] : RESULT_PARTS;
    for (const id of parts) {
      const current = document.getElementById(id);
      const replacement = fresh.getElementById(id);
      if (current && replacement) current.replaceWith(document.adoptNode(replacement));
    }
    document.title = fresh.title;
    if (push && url !== window.location.href) history.pushState({}, "", url);
    const heading = document.getElementById("film-results-heading");
    document.getElementById("film-status").textContent = heading ? heading.textContent.trim() : "";
  }

  document.addEventListener("change", (event) => {
    const form = event.target.form;
    if (form && form.id === FORM_ID) show(filterUrl(form), { push: true, replaceControls: false });
  });

  document.addEventListener("submit", (event) => {
    if (event.target.id !== FORM_ID) return;
    event.preventDefault();
    show(filterUrl(event.target), { push: true, replaceControls: false });
  });

  // Facets, chips and page links lead to another state of this same list.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("#film-results a, #film-facets a");
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link.pathname !== window.location.pathname || link.origin !== window.location.origin) return;
    event.preventDefault();
    show(link.href, { push: true, replaceControls: true }).then(() => {
      document.getElementById("film-results").focus({ preventScroll: true });
      document.getElementById("film-results").scrollIntoView({ block: "nearest" });
    });
  });

  window.addEventListener("popstate", () => {
    show(window.location.href, { push: false, replaceControls: true });
  });
})();
