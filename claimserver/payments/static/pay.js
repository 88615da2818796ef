// The pay page: Stripe.js Elements collects the card; we send the server only the payment-method id.
// The server confirms the PaymentIntent; 3-D Secure, when the bank asks for it, finishes here.
(function () {
  "use strict";
  const form = document.getElementById("payment-form");
  const errorBox = document.getElementById("payment-error");
  const button = document.getElementById("pay-button");
  const stripe = Stripe(form.dataset.publishableKey);
  const card = stripe.elements().create("card");
  card.mount("#card-element");

  function fail(message) {
    errorBox.textContent = message || "The payment did not go through. Try again.";
    errorBox.hidden = false;
    button.disabled = false;
  }

  async function paymentMethodId() {
    const made = await stripe.createPaymentMethod({type: "card", card: card});
    if (made && made.paymentMethod) return made.paymentMethod.id;
    if (made && made.error) throw made.error;
    // localstripe's Stripe.js stand-in (tests) has no createPaymentMethod: a token's card will do.
    const t = await stripe.createToken(card);
    if (t.error) throw t.error;
    return t.token.card.id;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.hidden = true;
    let method;
    try {
      method = await paymentMethodId();
    } catch (err) {
      return fail(err && err.message ? err.message : "Check the card details.");
    }
    let answer;
    try {
      const response = await fetch(form.dataset.confirmUrl, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": form.dataset.csrf},
        body: JSON.stringify({payment_method: method}),
      });
      answer = await response.json();
    } catch (err) {
      return fail("The connection failed. Nothing was charged; try again.");
    }
    if (answer.error) return fail(answer.error);
    if (answer.client_secret) {
      const done = await stripe.confirmCardPayment(answer.client_secret);
      if (done && done.error) return fail(done.error.message);
    }
    window.location.assign(answer.next || form.dataset.returnUrl);
  });
})();
