/**
 * express-openid-connect with its default configuration, for a test against the mock tenant.
 *
 * Nothing is configured beyond what its README asks for (issuerBaseURL, baseURL, clientID,
 * secret), so it logs in the way the library does out of the box: response_type=id_token,
 * response_mode=form_post, scope "openid profile email".
 * https://github.com/auth0/express-openid-connect#getting-started
 *
 * Environment: ISSUER_BASE_URL, BASE_URL, CLIENT_ID, SECRET, PORT.
 */
const express = require("express");
const { auth } = require("express-openid-connect");

const app = express();
app.use(
  auth({
    issuerBaseURL: process.env.ISSUER_BASE_URL,
    baseURL: process.env.BASE_URL,
    clientID: process.env.CLIENT_ID,
    secret: process.env.SECRET,
    // The one change from the defaults: pages need no login until "Log in" is pressed.
    authRequired: false,
  }),
);

/** Show who is logged in, or a link to log in. */
app.get("/", (req, res) => {
  res.type("html");
  if (req.oidc.isAuthenticated()) {
    const email = String(req.oidc.user.email).replace(/[<>&"]/g, "");
    res.send(`<h1>Logged in as ${email}</h1><a href="/logout">Log out</a>`);
  } else {
    res.send(`<h1>Logged out</h1><a href="/login">Log in</a>`);
  }
});

const server = app.listen(Number(process.env.PORT), "127.0.0.1", () => {
  console.log(`listening on ${server.address().port}`);
});
