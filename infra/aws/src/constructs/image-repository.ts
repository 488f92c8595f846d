import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';

export interface ImageRepositoryProps {
  readonly repositoryName: string;
  /** @default 20 */
  readonly keepImages?: number;
}

/** The service's images: scanned on push, tags immutable (a version means one image), old images expire. */
export class ImageRepository extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    const keep = props.keepImages ?? 20;
    if (!Number.isInteger(keep) || keep < 1)
      throw new Error(`ImageRepository keepImages: got ${keep}, expected a whole number ≥ 1`);
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.AES_256,
      lifecycleRules: [{ description: `keep the newest ${keep} images`, maxImageCount: keep }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
