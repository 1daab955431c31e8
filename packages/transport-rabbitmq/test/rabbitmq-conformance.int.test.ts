import { describeRabbitMqConformance } from "./conformance.js";

// amqplib 2.x (the devDependency; what `npm i amqplib` installs today).
describeRabbitMqConformance("rabbitmq");
