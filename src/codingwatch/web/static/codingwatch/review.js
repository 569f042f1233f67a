// Chart review keys: Enter in a line adds a line below and focuses its code; Ctrl+Enter (or
// Cmd+Enter) saves and opens the next case; x removes a line. Any change asks the server (htmx)
// to check the codes and regroup.
(function () {
  function rows() { return document.querySelectorAll("#audited-lines tbody tr.line"); }

  function changed(form) { document.getElementById("line-area").dispatchEvent(new Event("change", { bubbles: true })); }

  function addLine(after) {
    var template = document.getElementById("line-template");
    var html = template.innerHTML.replace(/__i__/g, String(rows().length));
    var body = document.querySelector("#audited-lines tbody");
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    if (after && after.parentNode === body) { after.after(row); } else { body.appendChild(row); }
    var system = after ? after.querySelector("select[name=code_system]") : null;
    if (system) row.querySelector("select[name=code_system]").value = system.value;
    row.querySelector("input[name=code]").focus();
  }

  document.addEventListener("keydown", function (event) {
    var form = document.getElementById("review-form");
    if (!form || !form.contains(event.target)) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      var next = document.getElementById("save-next");
      (next || form.querySelector("button[name=save]")).click();
      return;
    }
    if (event.key === "Enter" && event.target.closest("#audited-lines")) {
      event.preventDefault();
      addLine(event.target.closest("tr"));
    }
  });

  // POA and modifiers are checked as they are typed; the server checks everything again on change.
  var POA = /^[YNUW1]?$/;
  var MODIFIER = /^[A-Z0-9]{2}$/;
  function typedProblem(input) {
    var value = input.value.trim().toUpperCase();
    if (input.name === "poa" && !POA.test(value)) return "POA: Y, N, U, W or 1 (exempt), not " + input.value.trim();
    if (input.name === "modifiers" && value) {
      var bad = value.split(/[;,]/).map(function (m) { return m.trim(); })
        .filter(function (m) { return m && !MODIFIER.test(m); });
      if (bad.length) return "modifiers: two letters or digits each, not " + bad.join(", ");
    }
    return "";
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("#audited-lines input.poa, #audited-lines input.modifiers")) return;
    var row = input.closest("tr");
    var message = row.querySelector(".line-error");
    var problems = Array.prototype.map.call(row.querySelectorAll("input.poa, input.modifiers"), typedProblem)
      .filter(Boolean);
    input.setCustomValidity(typedProblem(input));
    input.classList.toggle("invalid", !!typedProblem(input));
    if (message) { message.textContent = problems.join("; "); message.classList.toggle("typed", problems.length > 0); }
  });

  document.addEventListener("click", function (event) {
    if (event.target.id === "add-line") {
      var all = rows();
      addLine(all.length ? all[all.length - 1] : null);
      return;
    }
    if (!event.target.classList.contains("remove-line")) return;
    var row = event.target.closest("tr");
    if (!row) return;
    row.remove();
    rows().forEach(function (r, i) { var e = r.querySelector(".line-error"); if (e) e.id = "line-error-" + i; });
    changed();
  });
})();
