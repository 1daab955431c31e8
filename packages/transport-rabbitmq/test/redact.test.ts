import { passwordOf, redactSecrets, redactUrl } from "@asya/transport-rabbitmq";
import { describe, expect, it } from "vitest";

describe("redactUrl", () => {
  it("replaces user name and password, keeping host, port, vhost and query", () => {
    expect(redactUrl("amqp://app:s3cret@rabbit:5672/prod?heartbeat=30")).toBe(
      "amqp://***:***@rabbit:5672/prod?heartbeat=30",
    );
    expect(redactUrl("amqps://user%40corp:p%2Fw@rabbit.example.com/%2F")).toBe(
      "amqps://***:***@rabbit.example.com/%2F",
    );
  });

  it("leaves URLs without credentials alone and scrubs unparsable ones", () => {
    expect(redactUrl("amqp://rabbit:5672")).toBe("amqp://rabbit:5672");
    expect(redactUrl("amqp://u:p@[bad")).not.toContain("u:p");
  });
});

describe("redactSecrets", () => {
  it("removes userinfo of embedded URLs and literal secrets (raw and URL-encoded)", () => {
    const text = "cannot connect to amqp://guest:pa/ss@h:5672 (pa/ss) pa%2Fss";
    const out = redactSecrets(text, ["pa/ss"]);
    expect(out).toBe("cannot connect to amqp://***@h:5672 (***) ***");
  });
});

describe("passwordOf", () => {
  it("decodes the password or returns undefined", () => {
    expect(passwordOf("amqp://u:p%40ss@h")).toBe("p@ss");
    expect(passwordOf("amqp://h")).toBeUndefined();
    expect(passwordOf("not a url")).toBeUndefined();
  });
});
