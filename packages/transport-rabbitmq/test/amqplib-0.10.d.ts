// amqplib 0.10 ships no types; for this package's tests its API is the 2.x one it shares.
declare module "amqplib-0.10" {
  export * from "amqplib";
}
