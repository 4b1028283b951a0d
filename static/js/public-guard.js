// Public forms' proof of work (campaign/public_guard): each hidden input with
// data-pow-challenge is solved in a Web Worker (static/js/pow-solver.js), or in small slices on
// this page when a worker cannot start, so the page stays responsive. Sending the form before
// the answer is found waits for it and then sends.
(function () {
  "use strict";

  function solveHere(challenge, bits, solutions, done) {
    var solver = new window.PowSolver.Solver(challenge, bits, solutions);
    function slice() {
      var answer = solver.step(20000);
      if (answer !== null) { done("page", answer); return; }
      setTimeout(slice, 0);
    }
    slice();
  }

  function solve(input, done) {
    var challenge = input.getAttribute("data-pow-challenge");
    var bits = parseInt(input.getAttribute("data-pow-bits"), 10);
    var solutions = parseInt(input.getAttribute("data-pow-solutions"), 10);
    var worker = null;
    if (window.Worker) {
      try {
        worker = new Worker(input.getAttribute("data-pow-worker"));
      } catch (error) {
        worker = null;
      }
    }
    if (!worker) {
      solveHere(challenge, bits, solutions, done);
      return;
    }
    worker.onmessage = function (event) {
      worker.terminate();
      done("worker", event.data.nonces);
    };
    worker.onerror = function (event) {
      event.preventDefault();
      worker.terminate();
      solveHere(challenge, bits, solutions, done);
    };
    worker.postMessage({challenge: challenge, bits: bits, solutions: solutions});
  }

  function init(input) {
    if (input.hasAttribute("data-pow-started")) { return; }
    input.setAttribute("data-pow-started", "");
    var form = input.form;
    var status = form ? form.querySelector("[data-pow-status]") : null;
    var solved = false;
    var waiting = null;  // the submit button pressed while solving (or the form itself)
    if (!window.PowSolver) {
      // The form is still sent; the server answers that the check is missing.
      if (status) { status.textContent = status.getAttribute("data-pow-failed"); }
      return;
    }
    if (status) { status.textContent = status.getAttribute("data-pow-working"); }
    if (form) {
      // Other submit handlers of the form (an offline queue…) should skip a defaultPrevented event.
      form.addEventListener("submit", function (event) {
        if (solved) { return; }
        event.preventDefault();
        waiting = event.submitter || form;
      });
    }
    solve(input, function (where, nonces) {
      input.value = input.getAttribute("data-pow-challenge") + "/" + nonces;
      solved = true;
      input.setAttribute("data-pow-solved", where);  // "worker" or "page"
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
