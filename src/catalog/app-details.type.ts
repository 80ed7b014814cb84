import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { Field, ObjectType } from 'type-graphql';

@ObjectType({
  simpleResolvers: true,
  description:
    "What FLECS's own web app reads out of a product's attributes and meta data, typed: present only for products that are FLECS apps (they carry a reverse-domain name).",
})
export class AppDetails {
  @Field(() => String, { description: 'The app\'s FLECS id, for example "tech.flecs.mqtt-bridge" (attribute `reverse-domain-name`).' })
  reverseDomainName!: string;

  @Field(() => [String], {
    description:
      'Versions offered, newest first, compared as version numbers ("1.10.0" after "1.9.2"); entries that are no version number are left out (attribute `versions`).',
  })
  versions!: string[];

  @Field(() => String, { nullable: true, description: 'The newest of `versions`; null when there is none.' })
  latestVersion!: string | null;

  @Field(() => [String], { description: 'CPU architectures the app runs on, for example ["amd64", "arm64"] (attribute `archs`).' })
  architectures!: string[];

  @Field(() => [String], { description: 'Architectures or platforms the app must not be installed on (attribute `blacklist`).' })
  blacklist!: string[];

  @Field(() => String, { nullable: true, description: 'Icon URL, always https (meta `app-icon`; an http URL is upgraded).' })
  iconUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'Who ported the app to FLECS (meta `port-author-name`).' })
  author!: string | null;

  @Field(() => String, { nullable: true, description: 'Version of the FLECS port (meta `port-version`).' })
  portVersion!: string | null;

  @Field(() => String, { nullable: true, description: 'Documentation URL (meta `_documentation_url`).' })
  documentationUrl!: string | null;

  @Field(() => [String], { description: 'Further links of the app (meta `app-custom-link`, sent as an array or as an object whose values are the links).' })
  customLinks!: string[];
}
