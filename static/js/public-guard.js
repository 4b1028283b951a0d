// Public forms' proof of work (campaign/public_guard): each hidden input with
// data-pow-challenge is solved in a Web Worker (static/js/pow-solver.js), or in small slices on
// this page when a worker cannot start, so the page stays responsive. Sending the form before
// the answer is found waits for it and then sends.
(function () {
  "use strict";

  function solveHere(challenge, bits, done) {
    var hasher = new window.PowSolver.Hasher(challenge);
    var start = 0;
    function slice() {
      var found = window.PowSolver.search(hasher, bits, start, 20000);
      if (found !== null) { done(found); return; }
      start += 20000;
      setTimeout(slice, 0);
    }
    slice();
  }

  function solve(input, done) {
    var challenge = input.getAttribute("data-pow-challenge");
    var bits = parseInt(input.getAttribute("data-pow-bits"), 10);
    var worker = null;
    if (window.Worker) {
      try {
        worker = new Worker(input.getAttribute("data-pow-worker"));
      } catch (error) {
        worker = null;
      }
    }
    if (!worker) {
      solveHere(challenge, bits, done);
      return;
    }
    worker.onmessage = function (event) {
      worker.terminate();
      done(event.data.nonce);
    };
    worker.onerror = function (event) {
      event.preventDefault();
      worker.terminate();
      solveHere(challenge, bits, done);
    };
    worker.postMessage({challenge: challenge, bits: bits});
  }

  function init(input) {
    if (input.hasAttribute("data-pow-started")) { return; }
    input.setAttribute("data-pow-started", "");
    var form = input.form;
    var status = form ? form.querySelector("[data-pow-status]") : null;
    var solved = false;
    var waiting = null;  // the submit button pressed while solving (or the form itself)
    if (status) { status.textContent = status.getAttribute("data-pow-working"); }
    if (form) {
      form.addEventListener("submit", function (event) {
        if (solved) { return; }
        event.preventDefault();
        waiting = event.submitter || form;
      });
    }
    if (!window.PowSolver) {
      if (status) { status.textContent = status.getAttribute("data-pow-failed"); }
      return;
    }
    solve(input, function (nonce) {
      input.value = input.getAttribute("data-pow-challenge") + "/" + nonce;
      solved = true;
      input.setAttribute("data-pow-solved", "");
      if (status) { status.textContent = status.getAttribute("data-pow-done"); }
      if (waiting && form) {
        var submitter = waiting === form ? undefined : waiting;
        if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
      }
    });
  }

  function initAll() {
    document.querySelectorAll("input[data-pow-challenge]").forEach(init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
}());
