/**
 * A stand-in for the Pulumi engine's resource monitor: a gRPC server built
 * from the SDK's own generated stubs (@pulumi/pulumi/proto), which records
 * every RegisterResource (type, name, parent, inputs, dependsOn, property
 * dependencies, deleteBeforeReplace) and answers the way the Docker provider
 * does on `pulumi up`: a built Image gets a `sha256:` image id as its id and
 * repoDigest, a Container a 64-hex container id, a Network a network id.
 *
 * With runProgram() it runs a Pulumi program the way the CLI's Node language
 * host does (pulumi-language-nodejs: `node <nodeargs> .../cmd/run --monitor
 * <addr> --project p --stack s --pwd <dir> <main>`, config in PULUMI_CONFIG),
 * so that Pulumi.yaml's `main`, `nodeargs` and `typescript` are exercised,
 * not only the program's logic under setMocks.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as GrpcJs from '@grpc/grpc-js';

export interface RegisteredResource {
  urn: string;
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  /** URNs of dependsOn and of the resources whose outputs the inputs use. */
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  deleteBeforeReplace: boolean;
  /** What the monitor answered: the id and the outputs. */
  id: string;
  outputs: Record<string, unknown>;
}

const hex = (seed: string) => createHash('sha256').update(seed).digest('hex');

/** Outputs as the Docker provider gives them on create (the fields the program reads). */
export function providerAnswer(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): { id: string; outputs: Record<string, unknown> } {
  switch (type) {
    case 'docker:index/image:Image': {
      // A local image's repoDigest is its image id (the provider's docs: "As of v4.4, repoDigest is available for local Images").
      const imageId = `sha256:${hex(`image/${String(inputs.imageName)}`)}`;
      const build = (inputs.build ?? {}) as Record<string, unknown>;
      return {
        id: imageId,
        outputs: {
          ...inputs,
          repoDigest: imageId,
          baseImageName: inputs.imageName,
          context: build.context,
          dockerfile: build.dockerfile,
        },
      };
    }
    case 'docker:index/container:Container':
    case 'docker:index/network:Network': {
      const id = hex(`${type}/${name}`);
      return { id, outputs: { ...inputs, name: inputs.name ?? name } };
    }
    case 'random:index/randomPassword:RandomPassword': {
      // The provider draws the password once, at create, and keeps it in the state: here one fixed per resource.
      const length = Math.min(64, Number(inputs.length ?? 16));
      return { id: 'none', outputs: { ...inputs, result: hex(`${type}/${name}`).slice(0, length) } };
    }
    default:
      return { id: hex(`${type}/${name}`), outputs: { ...inputs } };
  }
}

export interface ResourceMonitor {
  address: string;
  resources: RegisteredResource[];
  /** The stack's outputs (RegisterResourceOutputs of the Stack resource). */
  stackOutputs: Record<string, unknown>;
  close(): Promise<void>;
}

/** Starts the monitor on 127.0.0.1 (a free port), with the stubs of the SDK that `infraDir` loads. */
export async function startResourceMonitor(infraDir: string, project: string, stack: string): Promise<ResourceMonitor> {
  const programRequire = createRequire(join(infraDir, 'index.ts'));
  const sdkDir = join(programRequire.resolve('@pulumi/pulumi'), '..');
  const sdkRequire = createRequire(join(sdkDir, 'index.js'));
  const grpc = sdkRequire('@grpc/grpc-js') as typeof GrpcJs;
  // The generated stubs are untyped JavaScript (their .d.ts files type them against a different grpc import).
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const services: any = sdkRequire('./proto/resource_grpc_pb.js');
  const messages: any = sdkRequire('./proto/resource_pb.js');
  const structs: any = sdkRequire('google-protobuf/google/protobuf/struct_pb.js');
  const empty: any = sdkRequire('google-protobuf/google/protobuf/empty_pb.js');

  const resources: RegisteredResource[] = [];
  const monitor: ResourceMonitor = { address: '', resources, stackOutputs: {}, close: async () => undefined };
  // Each URN's qualified type (parent types joined by $, the Stack left out), as the engine makes URNs.
  const chainOf = new Map<string, string>();
  const STACK = 'pulumi:pulumi:Stack';

  const server = new grpc.Server();
  server.addService(services.ResourceMonitorService, {
    supportsFeature(call: any, done: any) {
      // None of the newer wire features: the SDK then sends plain values and dependencies lists.
      done(null, new messages.SupportsFeatureResponse().setHassupport(false));
    },
    registerResource(call: any, done: any) {
      const req = call.request;
      const type: string = req.getType();
      const name: string = req.getName();
      const parent: string = req.getParent();
      const inputs = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
      const parentChain = parent ? chainOf.get(parent) : undefined;
      const chain = parentChain && parentChain !== STACK ? `${parentChain}$${type}` : type;
      const urn = `urn:pulumi:${stack}::${project}::${chain}::${name}`;
      chainOf.set(urn, chain);
      const propertyDependencies: Record<string, string[]> = {};
      req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
        propertyDependencies[key] = deps.getUrnsList();
      });
      const answer = req.getCustom() ? providerAnswer(type, name, inputs) : { id: '', outputs: {} };
      resources.push({
        urn,
        type,
        name,
        parent,
        custom: req.getCustom(),
        inputs,
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        deleteBeforeReplace: req.getDeletebeforereplace(),
        ...answer,
      });
      const response = new messages.RegisterResourceResponse();
      response.setUrn(urn);
      response.setId(answer.id);
      response.setObject(structs.Struct.fromJavaScript(answer.outputs));
      response.setStable(false);
      done(null, response);
    },
    registerResourceOutputs(call: any, done: any) {
      const req = call.request;
      const urn: string = req.getUrn();
      if (chainOf.get(urn) === STACK) {
        monitor.stackOutputs = (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
      }
      done(null, new empty.Empty());
    },
    signalAndWaitForShutdown(call: any, done: any) {
      done(null, new empty.Empty());
    },
  });
  /* eslint-enable @typescript-eslint/no-explicit-any */
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  monitor.address = `127.0.0.1:${port}`;
  monitor.close = () => new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  return monitor;
}
