import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true, description: 'A postal address.' })
export class Address {
  @Field(() => String, { nullable: true, description: 'First street line.' })
  street1!: string | null;

  @Field(() => String, { nullable: true, description: 'Second street line.' })
  street2!: string | null;

  @Field(() => String, { nullable: true, description: 'City.' })
  city!: string | null;

  @Field(() => String, { nullable: true, description: 'Postal code.' })
  zip!: string | null;

  @Field(() => String, { nullable: true, description: 'Country code, for example "DE".' })
  country!: string | null;

  @Field(() => String, { nullable: true, description: 'State or region.' })
  state!: string | null;
}

@ObjectType({ simpleResolvers: true, description: "A FLECS store (a vendor's shop). Its `catalog` field fetches the store's public catalogue." })
export class Store {
  @Field(() => Int, { description: 'Store id; the `storeId` argument elsewhere refers to it.' })
  id!: number;

  @Field(() => String, { nullable: true, description: 'Store name.' })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'Shop name shown to buyers.' })
  shopName!: string | null;

  @Field(() => String, { nullable: true, description: 'Store URL.' })
  url!: string | null;

  @Field(() => Address, { nullable: true, description: 'Postal address of the store.' })
  address!: Address | null;
}
