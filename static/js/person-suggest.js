// Suggestions for the film list's person box. Without this script the box takes a name, and
// the list answers with the people of that name to choose from. With it, people are suggested
// as their name is typed, each with what tells them from namesakes; choosing one puts their
// address (slug) in the form and their name in the box.
(() => {
  "use strict";
  const MIN_LENGTH = 2;
  const DELAY_MS = 200;
  let serial = 0;

  function enhance(field) {
    const input = field.querySelector("input[data-suggest-url]");
    if (!input || input.dataset.enhanced) return;
    input.dataset.enhanced = "1";
    const listId = `person-suggestions-${++serial}`;

    // The form sends the hidden input: the slug of the chosen person, or the typed text.
    const value = document.createElement("input");
    value.type = "hidden";
    value.name = input.name;
    value.value = input.value;
    input.removeAttribute("name");
    input.after(value);
    if (field.dataset.personLabel) input.value = field.dataset.personLabel;

    const list = document.createElement("ul");
    list.id = listId;
    list.className = "person-suggest";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People");
    list.hidden = true;
    value.after(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    let people = [];
    let active = -1;
    let timer = 0;
    let latest = 0;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      people = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      list.querySelectorAll("[role=option]").forEach((option, i) => {
        option.setAttribute("aria-selected", String(i === index));
      });
      if (index >= 0) input.setAttribute("aria-activedescendant", `${listId}-${index}`);
      else input.removeAttribute("aria-activedescendant");
    }

    function show(results) {
      people = results;
      list.replaceChildren(
        ...results.map((person, i) => {
          const option = document.createElement("li");
          option.id = `${listId}-${i}`;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          const name = document.createElement("span");
          name.className = "person-suggest__name";
          name.textContent = person.name;
          option.append(name);
          if (person.description) {
            const description = document.createElement("span");
            description.className = "person-description";
            description.textContent = person.description;
            option.append(" ", description);
          }
          option.addEventListener("mousedown", (event) => {
            event.preventDefault();  // keep the focus in the box
            choose(i);
          });
          return option;
        }),
      );
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", String(results.length > 0));
      active = -1;
    }

    function choose(index) {
      const person = people[index];
      input.value = person.description ? `${person.name} (${person.description})` : person.name;
      value.value = person.slug;
      close();
      // The film list (film-list.js) refreshes on a change of the form's values.
      value.dispatchEvent(new Event("change", { bubbles: true }));
    }

    async function suggest() {
      const text = input.value.trim();
      const request = ++latest;
      if (text.length < MIN_LENGTH) {
        close();
        return;
      }
      const url = `${input.dataset.suggestUrl}?${new URLSearchParams({ q: text })}`;
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error(String(response.status));
        const data = await response.json();
        if (request === latest) show(data.results);
      } catch {
        close();  // the box still works as a plain text box
      }
    }

    input.addEventListener("input", () => {
      value.value = input.value;  // typed text, until a person is chosen
      clearTimeout(timer);
      timer = setTimeout(suggest, DELAY_MS);
    });

    input.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        // Down from the last person, or up from the first, returns to the typed text (-1).
        let next = active + (event.key === "ArrowDown" ? 1 : -1);
        if (next >= people.length) next = -1;
        if (next < -1) next = people.length - 1;
        highlight(next);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        close();
      }
    });

    input.addEventListener("blur", () => setTimeout(close, 100));
  }

  function enhanceAll(root) {
    root.querySelectorAll(".person-field").forEach(enhance);
  }

  enhanceAll(document);
  // The film list swaps in a fresh form when a chip or facet is followed.
  new MutationObserver(() => enhanceAll(document)).observe(document.body, {
    childList: true,
    subtree: true,
  });
})();
