// RFC 7643 §7 attribute definitions: the single description of what scimbridge supports, used by
// /Schemas, the filter compiler, the PATCH engine and resource validation alike.

export type AttributeType = "string" | "boolean" | "decimal" | "integer" | "dateTime" | "reference" | "complex" | "binary";
export type Mutability = "readOnly" | "readWrite" | "immutable" | "writeOnly";
export type Returned = "always" | "never" | "default" | "request";
export type Uniqueness = "none" | "server" | "global";

export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDefinition[];
}

export interface SchemaDefinition {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDefinition[];
}

type Options = Partial<Omit<AttributeDefinition, "name" | "type" | "description">>;

export function attr(name: string, type: AttributeType, description: string, options: Options = {}): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...options,
  };
}

/** The common sub-attributes of a multi-valued attribute (RFC 7643 §2.4). */
export function multiValued(
  name: string,
  description: string,
  canonicalTypes: string[],
  valueType: AttributeType = "string",
  extra: AttributeDefinition[] = [],
): AttributeDefinition {
  return attr(name, "complex", description, {
    multiValued: true,
    subAttributes: [
      attr("value", valueType, `The value of ${name}.`),
      attr("display", "string", "A human-readable name, primarily used for display purposes."),
      attr("type", "string", "A label indicating the attribute's function.", { canonicalValues: canonicalTypes }),
      attr("primary", "boolean", "Indicates the 'primary' or preferred attribute value."),
      ...extra,
    ],
  });
}

export function findSubAttribute(parent: AttributeDefinition, name: string): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  return parent.subAttributes?.find((a) => a.name.toLowerCase() === lower);
}
